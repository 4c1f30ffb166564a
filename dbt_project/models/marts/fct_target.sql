with

stg_curated__targets as (

    select * from {{ ref('stg_curated__targets') }}

),

final as (

    select
        target_id,
        announcement_id,
        article_id,
        plant_id,
        company_id,
        brand_id,
        target_code,
        metric,
        unit,
        currency,
        qualifier,
        scope,
        period_grain,
        evidence_quote,
        value_low,
        value_high,
        period_start,
        period_end
    from stg_curated__targets

)

select * from final
