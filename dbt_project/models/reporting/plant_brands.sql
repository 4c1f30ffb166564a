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

named as (

    select
        bridge_brand_plant.brand_plant_id,
        dim_plant.plant_name,
        dim_plant.city,
        dim_plant.region,
        dim_brand.brand_name,
        bridge_brand_plant.assembly_stage,
        bridge_brand_plant.assembly_status,
        bridge_brand_plant.started_on_precision,
        bridge_brand_plant.evidence_quote,
        dim_article.title as article_title,
        bridge_brand_plant.started_on
    from bridge_brand_plant
    inner join dim_brand
        on bridge_brand_plant.brand_id = dim_brand.brand_id
    inner join dim_plant
        on bridge_brand_plant.plant_id = dim_plant.plant_id
    left join dim_article
        on bridge_brand_plant.article_id = dim_article.article_id

)

select * from named
