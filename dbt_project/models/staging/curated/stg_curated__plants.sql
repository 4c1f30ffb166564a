with

source as (

    select * from {{ source('curated', 'plants') }}

),

renamed as (

    select
        {{ entity_id('plant', 'plant_code') }} as plant_id,
        {{ entity_id('plant', 'parent_plant_code') }} as parent_plant_id,
        {{ entity_id('place', 'place_code') }} as place_id,
        trim(plant_code) as plant_code,
        plant_name,
        trim(plant_status) as plant_status,
        trim(parent_plant_code) as parent_plant_code,
        trim(settlement) as settlement,
        trim(district) as district,
        trim(city) as city,
        trim(region) as region,
        trim(place_code) as place_code,
        trim(place_basis) as place_basis,
        trim(country_code) as country_code,
        note,
        source_line
    from source

)

select * from renamed
