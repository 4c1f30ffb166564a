with

source as (

    select * from {{ source('news', 'article_bodies') }}

),

renamed as (

    select
        article_id,
        body_language,
        junk_spans_json,
        body_start_offset,
        body_end_offset,
        paragraph_count,
        mixed_language as is_mixed_language
    from source

)

select * from renamed
