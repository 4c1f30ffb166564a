with

source as (

    select * from {{ source('news', 'extracted_mentions') }}

),

renamed as (

    select
        {{ surrogate_key(["'mention'", 'article_id', 'item_index']) }}
            as mention_id,
        article_id,
        {{ entity_id_of_type('entity_type', 'entity_code') }} as entity_id,
        entity_type,
        entity_code,
        canonical_name,
        matched_alias,
        surface_text,
        start_offset,
        end_offset,
        sentence_start_offset,
        sentence_end_offset,
        entity_code is null as is_candidate
    from source

)

select * from renamed
