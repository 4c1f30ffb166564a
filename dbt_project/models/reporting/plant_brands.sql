{#- The headline question in one view: which plant assembles which brand
    (and from which country the brand comes), since when, at what stage,
    who announced it and in which article. Targets are in targets_timeline:
    join on plant_code, or on parent_plant_code for a site whose targets
    are stated for its parent plant. -#}
with

bridge_brand_plant as (

    select * from {{ ref('bridge_brand_plant') }}

),

dim_brand as (

    select * from {{ ref('dim_brand') }}

),

dim_plant as (

    select * from {{ ref('dim_plant') }}

),

dim_article as (

    select * from {{ ref('dim_article') }}

),

fct_announcement as (

    select * from {{ ref('fct_announcement') }}

),

dim_company as (

    select * from {{ ref('dim_company') }}

),

dim_person as (

    select * from {{ ref('dim_person') }}

),

named as (

    select
        bridge_brand_plant.brand_plant_id,
        bridge_brand_plant.announcement_id,
        fct_announcement.announcement_code,
        fct_announcement.first_report_announcement_code,
        bridge_brand_plant.article_id,
        dim_plant.plant_code,
        dim_plant.parent_plant_code,
        dim_plant.plant_name,
        dim_plant.settlement,
        dim_plant.city,
        dim_plant.region,
        dim_plant.place_basis,
        dim_brand.brand_code,
        dim_brand.brand_name,
        dim_brand.origin_country_code as brand_origin_country_code,
        bridge_brand_plant.assembly_stage,
        bridge_brand_plant.assembly_status,
        bridge_brand_plant.scope,
        bridge_brand_plant.started_on_precision,
        fct_announcement.announcement_type,
        fct_announcement.announced_on_precision,
        announcer_company.company_name as announcer_company_name,
        announcer_person.full_name as announcer_person_name,
        subject_company.company_name as subject_company_name,
        bridge_brand_plant.evidence_quote,
        dim_article.title as article_title,
        dim_article.file_name as article_file_name,
        dim_article.published_on_precision as article_published_on_precision,
        dim_article.published_on_basis as article_published_on_basis,
        bridge_brand_plant.started_on,
        fct_announcement.announced_on,
        dim_article.published_on as article_published_on
    from bridge_brand_plant
    inner join dim_brand
        on bridge_brand_plant.brand_id = dim_brand.brand_id
    inner join dim_plant
        on bridge_brand_plant.plant_id = dim_plant.plant_id
    left join dim_article
        on bridge_brand_plant.article_id = dim_article.article_id
    left join fct_announcement
        on bridge_brand_plant.announcement_id = fct_announcement.announcement_id
    left join dim_company as announcer_company
        on fct_announcement.announcer_company_id = announcer_company.company_id
    left join dim_person as announcer_person
        on fct_announcement.announcer_person_id = announcer_person.person_id
    left join dim_company as subject_company
        on fct_announcement.subject_company_id = subject_company.company_id

)

select * from named
