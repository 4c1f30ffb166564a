with

source as (

    select * from {{ source('news', 'articles') }}

),

renamed as (

    select
        article_id,
        file_name,
        file_path,
        title,
        language,
        source_encoding,
        article_text,
        byte_length,
        character_length,
        ingested_at
    from source

)

select * from renamed
