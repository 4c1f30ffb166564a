{#- review_item_id is computed exactly as review_queue computes it, so a
    decision joins its item, and a decision whose item is gone is found. -#}
with

source as (

    select * from {{ source('curated', 'review_decisions') }}

),

renamed as (

    select
        {{ surrogate_key([
            'article_id', 'review_kind', 'surface_text', 'occurrence'
        ]) }} as review_item_id,
        trim(article_id) as article_id,
        trim(review_kind) as review_kind,
        surface_text,
        trim(decision) as decision,
        note,
        trim(decided_by) as decided_by,
        occurrence,
        source_line,
        decided_on
    from source

)

select * from renamed
