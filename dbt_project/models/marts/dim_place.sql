with

stg_curated__places as (

    select * from {{ ref('stg_curated__places') }}

),

final as (

    select
        place_id,
        parent_place_id,
        place_code,
        parent_place_code,
        place_name,
        place_type,
        country_code,
        note
    from stg_curated__places

)

select * from final
