with

stg_curated__announcements as (

    select * from {{ ref('stg_curated__announcements') }}

),

final as (

    select
        announcement_id,
        article_id,
        announcer_company_id,
        announcer_person_id,
        subject_company_id,
        brand_id,
        plant_id,
        vehicle_model_id,
        same_event_as_announcement_id,
        announcement_code,
        same_event_as_announcement_code,
        announcement_type,
        summary,
        evidence_quote,
        announced_on_precision,
        happens_on_precision,
        announced_on,
        happens_on,
        coalesce(same_event_as_announcement_id, announcement_id)
            as first_report_announcement_id,
        coalesce(same_event_as_announcement_code, announcement_code)
            as first_report_announcement_code
    from stg_curated__announcements

)

select * from final
