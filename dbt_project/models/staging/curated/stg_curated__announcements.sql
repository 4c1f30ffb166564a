with

source as (

    select * from {{ source('curated', 'announcements') }}

),

renamed as (

    select
        {{ entity_id('announcement', 'announcement_code') }} as announcement_id,
        {{ entity_id('company', 'announcer_company_code') }}
            as announcer_company_id,
        {{ entity_id('person', 'announcer_person_code') }}
            as announcer_person_id,
        {{ entity_id('company', 'subject_company_code') }}
            as subject_company_id,
        {{ entity_id('brand', 'brand_code') }} as brand_id,
        {{ entity_id('plant', 'plant_code') }} as plant_id,
        {{ entity_id('vehicle_model', 'vehicle_model_code') }}
            as vehicle_model_id,
        {{ entity_id('announcement', 'same_event_as_announcement_code') }}
            as same_event_as_announcement_id,
        trim(article_id) as article_id,
        trim(announcement_code) as announcement_code,
        trim(announcement_type) as announcement_type,
        trim(announced_on_precision) as announced_on_precision,
        trim(happens_on_precision) as happens_on_precision,
        trim(announcer_company_code) as announcer_company_code,
        trim(announcer_person_code) as announcer_person_code,
        trim(subject_company_code) as subject_company_code,
        trim(brand_code) as brand_code,
        trim(plant_code) as plant_code,
        trim(vehicle_model_code) as vehicle_model_code,
        trim(same_event_as_announcement_code)
            as same_event_as_announcement_code,
        summary,
        evidence_quote,
        source_line,
        announced_on,
        happens_on
    from source

)

select * from renamed
