with

source as (

    select * from {{ source('curated', 'places') }}

),

renamed as (

    select
        {{ entity_id('place', 'place_code') }} as place_id,
        {{ entity_id('place', 'parent_place_code') }} as parent_place_id,
        trim(place_code) as place_code,
        place_name,
        trim(place_type) as place_type,
        trim(parent_place_code) as parent_place_code,
        trim(country_code) as country_code,
        note,
        source_line
    from source

)

select * from renamed
