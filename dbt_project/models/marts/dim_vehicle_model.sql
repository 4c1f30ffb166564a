with

stg_curated__vehicle_models as (

    select * from {{ ref('stg_curated__vehicle_models') }}

),

final as (

    select
        vehicle_model_id,
        brand_id,
        article_id,
        vehicle_model_code,
        brand_code,
        model_name,
        body_type,
        powertrain,
        evidence_quote,
        is_concept
    from stg_curated__vehicle_models

)

select * from final
