with

source as (

    select * from {{ source('news', 'extracted_periods') }}

),

renamed as (

    select
        {{ surrogate_key(["'period'", 'article_id', 'item_index']) }}
            as period_id,
        article_id,
        surface_text,
        grain,
        relation,
        start_offset,
        end_offset,
        sentence_start_offset,
        sentence_end_offset,
        period_start,
        period_end
    from source

)

select * from renamed
