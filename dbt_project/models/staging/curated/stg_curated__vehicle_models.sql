with

source as (

    select * from {{ source('curated', 'vehicle_models') }}

),

renamed as (

    select
        {{ entity_id('vehicle_model', 'vehicle_model_code') }}
            as vehicle_model_id,
        {{ entity_id('brand', 'brand_code') }} as brand_id,
        trim(article_id) as article_id,
        trim(vehicle_model_code) as vehicle_model_code,
        trim(brand_code) as brand_code,
        model_name,
        trim(body_type) as body_type,
        trim(powertrain) as powertrain,
        evidence_quote,
        source_line,
        is_concept
    from source

)

select * from renamed
