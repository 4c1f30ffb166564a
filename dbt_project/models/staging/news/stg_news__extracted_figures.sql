with

source as (

    select * from {{ source('news', 'extracted_figures') }}

),

renamed as (

    select
        {{ surrogate_key(["'figure'", 'article_id', 'item_index']) }}
            as figure_id,
        article_id,
        surface_text,
        unit,
        currency,
        qualifier,
        start_offset,
        end_offset,
        sentence_start_offset,
        sentence_end_offset,
        value_low,
        value_high,
        period_start,
        period_end
    from source

)

select * from renamed
