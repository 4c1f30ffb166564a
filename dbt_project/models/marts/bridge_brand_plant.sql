with

stg_curated__brand_plant_assemblies as (

    select * from {{ ref('stg_curated__brand_plant_assemblies') }}

),

final as (

    select
        brand_plant_id,
        brand_id,
        plant_id,
        article_id,
        announcement_id,
        assembly_stage,
        assembly_status,
        scope,
        evidence_quote,
        started_on_precision,
        started_on
    from stg_curated__brand_plant_assemblies

)

select * from final
