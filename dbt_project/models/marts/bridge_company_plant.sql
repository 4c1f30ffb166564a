with

stg_curated__company_plants as (

    select * from {{ ref('stg_curated__company_plants') }}

),

final as (

    select
        company_plant_id,
        company_id,
        plant_id,
        article_id,
        relation,
        evidence_quote
    from stg_curated__company_plants

)

select * from final
