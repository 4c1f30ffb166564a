with

stg_curated__plants as (

    select * from {{ ref('stg_curated__plants') }}

),

final as (

    select
        plant_id,
        parent_plant_id,
        place_id,
        plant_code,
        parent_plant_code,
        place_code,
        plant_name,
        plant_status,
        settlement,
        district,
        city,
        region,
        place_basis,
        country_code,
        note
    from stg_curated__plants

)

select * from final
