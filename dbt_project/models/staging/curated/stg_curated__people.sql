with

source as (

    select * from {{ source('curated', 'people') }}

),

renamed as (

    select
        {{ entity_id('person', 'person_code') }} as person_id,
        trim(person_code) as person_code,
        full_name,
        note,
        source_line
    from source

)

select * from renamed
