{#- One row per plant (or site) and brand: the furthest stage any report
    gives it, since when it is in production, and how many reports and
    events stand behind that. plant_brands keeps every report: BAIC at
    Avtotor is two rows there (in production since April 2023, and a plan
    for its electric cars), one here. -#}
with

plant_brands as (

    select * from {{ ref('plant_brands') }}

),

ranked as (

    select
        *,
        case assembly_status
            when 'in_production' then 3
            when 'planned' then 2
            else 1
        end as status_rank,
        row_number() over (
            partition by plant_code, brand_code, assembly_status
            order by started_on asc nulls last, brand_plant_id asc
        ) as started_order
    from plant_brands

),

pairs as (

    select
        plant_code,
        parent_plant_code,
        plant_name,
        brand_code,
        brand_name,
        brand_origin_country_code,
        max(status_rank) as furthest_status_rank,
        count(*) as report_count,
        count(distinct first_report_announcement_code) as event_count,
        min(article_published_on) as first_reported_on,
        max(article_published_on) as last_reported_on
    from ranked
    -- The names are the plant's and the brand's: one value per pair.
    group by 1, 2, 3, 4, 5, 6

),

earliest_production as (

    select
        plant_code,
        brand_code,
        started_on,
        started_on_precision
    from ranked
    where assembly_status = 'in_production' and started_order = 1

),

final as (

    select
        pairs.plant_code,
        pairs.parent_plant_code,
        pairs.plant_name,
        pairs.brand_code,
        pairs.brand_name,
        pairs.brand_origin_country_code,
        earliest_production.started_on_precision
            as in_production_since_precision,
        pairs.report_count,
        pairs.event_count,
        earliest_production.started_on as in_production_since,
        pairs.first_reported_on,
        pairs.last_reported_on,
        case pairs.furthest_status_rank
            when 3 then 'in_production'
            when 2 then 'planned'
            else 'considered'
        end as furthest_status
    from pairs
    left join earliest_production
        on
            pairs.plant_code = earliest_production.plant_code
            and pairs.brand_code = earliest_production.brand_code

)

select * from final
