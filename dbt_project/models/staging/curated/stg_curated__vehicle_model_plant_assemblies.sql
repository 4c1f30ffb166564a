with

source as (

    select * from {{ source('curated', 'vehicle_model_plant_assembly') }}

),

renamed as (

    select
        {{ surrogate_key([
            'vehicle_model_code', 'plant_code', 'article_id'
        ]) }} as vehicle_model_plant_id,
        {{ entity_id('vehicle_model', 'vehicle_model_code') }}
            as vehicle_model_id,
        {{ entity_id('plant', 'plant_code') }} as plant_id,
        {{ entity_id('announcement', 'announcement_code') }} as announcement_id,
        trim(article_id) as article_id,
        trim(vehicle_model_code) as vehicle_model_code,
        trim(plant_code) as plant_code,
        trim(assembly_status) as assembly_status,
        trim(started_on_precision) as started_on_precision,
        trim(announcement_code) as announcement_code,
        evidence_quote,
        source_line,
        started_on
    from source

)

select * from renamed
