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
        announcement_code,
        announcement_type,
        summary,
        evidence_quote,
        announced_on_precision,
        announced_on
    from stg_curated__announcements

)

select * from final
