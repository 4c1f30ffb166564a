with

fct_announcement as (

    select * from {{ ref('fct_announcement') }}

),

dim_company as (

    select * from {{ ref('dim_company') }}

),

dim_person as (

    select * from {{ ref('dim_person') }}

),

dim_brand as (

    select * from {{ ref('dim_brand') }}

),

dim_plant as (

    select * from {{ ref('dim_plant') }}

),

dim_vehicle_model as (

    select * from {{ ref('dim_vehicle_model') }}

),

dim_article as (

    select * from {{ ref('dim_article') }}

),

named as (

    select
        fct_announcement.announcement_id,
        fct_announcement.article_id,
        fct_announcement.announcement_code,
        fct_announcement.first_report_announcement_code,
        fct_announcement.announcement_type,
        announcer_company.company_name as announcer_company_name,
        dim_person.full_name as announcer_person_name,
        subject_company.company_name as subject_company_name,
        dim_brand.brand_code,
        dim_brand.brand_name,
        dim_plant.plant_code,
        dim_plant.plant_name,
        dim_vehicle_model.vehicle_model_code,
        dim_vehicle_model.model_name as vehicle_model_name,
        fct_announcement.summary,
        fct_announcement.evidence_quote,
        fct_announcement.announced_on_precision,
        fct_announcement.happens_on_precision,
        dim_article.title as article_title,
        dim_article.file_name as article_file_name,
        dim_article.published_on_precision as article_published_on_precision,
        dim_article.published_on_basis as article_published_on_basis,
        fct_announcement.announced_on,
        fct_announcement.happens_on,
        dim_article.published_on as article_published_on
    from fct_announcement
    left join dim_company as announcer_company
        on fct_announcement.announcer_company_id = announcer_company.company_id
    left join dim_person
        on fct_announcement.announcer_person_id = dim_person.person_id
    left join dim_company as subject_company
        on fct_announcement.subject_company_id = subject_company.company_id
    left join dim_brand
        on fct_announcement.brand_id = dim_brand.brand_id
    left join dim_plant
        on fct_announcement.plant_id = dim_plant.plant_id
    left join dim_vehicle_model
        on
            fct_announcement.vehicle_model_id
            = dim_vehicle_model.vehicle_model_id
    left join dim_article
        on fct_announcement.article_id = dim_article.article_id

)

select * from named
