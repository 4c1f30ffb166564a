with

int_articles_joined as (

    select * from {{ ref('int_articles_joined') }}

),

final as (

    select
        article_id,
        outlet_company_id,
        file_name,
        title,
        language,
        source_encoding,
        cited_source,
        published_on_precision,
        published_on_basis,
        published_on_reasoning,
        source_url,
        article_text,
        byte_length,
        character_length,
        published_on,
        ingested_at
    from int_articles_joined

)

select * from final
