with

fct_target as (

    select * from {{ ref('fct_target') }}

),

dim_company as (

    select * from {{ ref('dim_company') }}

),

dim_plant as (

    select * from {{ ref('dim_plant') }}

),

dim_brand as (

    select * from {{ ref('dim_brand') }}

),

fct_announcement as (

    select * from {{ ref('fct_announcement') }}

),

dim_person as (

    select * from {{ ref('dim_person') }}

),

dim_article as (

    select * from {{ ref('dim_article') }}

),

named as (

    select
        fct_target.target_id,
        fct_target.announcement_id,
        fct_target.article_id,
        fct_target.target_code,
        fct_announcement.announcement_code,
        fct_announcement.announcement_type,
        fct_announcement.announced_on_precision,
        dim_plant.plant_code,
        dim_plant.parent_plant_code,
        dim_plant.plant_name,
        dim_company.company_name,
        announcer_company.company_name as announcer_company_name,
        announcer_person.full_name as announcer_person_name,
        dim_brand.brand_code,
        dim_brand.brand_name,
        fct_target.metric,
        fct_target.scope,
        fct_target.qualifier,
        fct_target.unit,
        fct_target.currency,
        fct_target.period_grain,
        fct_target.evidence_quote,
        dim_article.title as article_title,
        dim_article.file_name as article_file_name,
        dim_article.published_on_precision as article_published_on_precision,
        dim_article.published_on_basis as article_published_on_basis,
        fct_target.value_low,
        fct_target.value_high,
        fct_target.period_start,
        fct_target.period_end,
        fct_announcement.announced_on,
        dim_article.published_on as article_published_on,
        year(fct_target.period_start) as period_year,
        fct_target.scope = 'electric' as is_electric_only
    from fct_target
    left join dim_plant
        on fct_target.plant_id = dim_plant.plant_id
    left join dim_company
        on fct_target.company_id = dim_company.company_id
    left join dim_brand
        on fct_target.brand_id = dim_brand.brand_id
    left join fct_announcement
        on fct_target.announcement_id = fct_announcement.announcement_id
    left join dim_company as announcer_company
        on fct_announcement.announcer_company_id = announcer_company.company_id
    left join dim_person as announcer_person
        on fct_announcement.announcer_person_id = announcer_person.person_id
    left join dim_article
        on fct_target.article_id = dim_article.article_id

)

select * from named
