with

source as (

    select * from {{ source('curated', 'brands') }}

),

renamed as (

    select
        {{ entity_id('brand', 'brand_code') }} as brand_id,
        trim(brand_code) as brand_code,
        brand_name,
        trim(origin_country_code) as origin_country_code,
        note,
        source_line
    from source

)

select * from renamed
