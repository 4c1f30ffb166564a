with

source as (

    select * from {{ source('curated', 'brand_plant_assembly') }}

),

renamed as (

    select
        {{ surrogate_key([
            'brand_code', 'plant_code', 'assembly_stage', 'scope', 'article_id'
        ]) }} as brand_plant_id,
        {{ entity_id('brand', 'brand_code') }} as brand_id,
        {{ entity_id('plant', 'plant_code') }} as plant_id,
        {{ entity_id('announcement', 'announcement_code') }} as announcement_id,
        trim(article_id) as article_id,
        trim(brand_code) as brand_code,
        trim(plant_code) as plant_code,
        trim(assembly_stage) as assembly_stage,
        trim(assembly_status) as assembly_status,
        trim(scope) as scope,
        trim(started_on_precision) as started_on_precision,
        trim(announcement_code) as announcement_code,
        evidence_quote,
        source_line,
        started_on
    from source

)

select * from renamed
