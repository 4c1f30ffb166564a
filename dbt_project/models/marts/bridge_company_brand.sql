with

stg_curated__company_brands as (

    select * from {{ ref('stg_curated__company_brands') }}

),

final as (

    select
        company_brand_id,
        company_id,
        brand_id,
        article_id,
        relation,
        evidence_quote
    from stg_curated__company_brands

)

select * from final
