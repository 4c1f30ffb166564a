with

stg_curated__vehicle_model_plant_assemblies as (

    select * from {{ ref('stg_curated__vehicle_model_plant_assemblies') }}

),

final as (

    select
        vehicle_model_plant_id,
        vehicle_model_id,
        plant_id,
        article_id,
        announcement_id,
        assembly_status,
        evidence_quote,
        started_on_precision,
        started_on
    from stg_curated__vehicle_model_plant_assemblies

)

select * from final
