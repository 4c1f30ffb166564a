with

source as (

    select * from {{ source('curated', 'aliases') }}

),

renamed as (

    select
        {{ surrogate_key(['entity_type', 'entity_code', 'alias']) }}
            as alias_id,
        trim(entity_type) as entity_type,
        trim(entity_code) as entity_code,
        alias,
        trim(language) as language,
        source_line,
        is_inflected,
        is_common_word
    from source

)

select * from renamed
