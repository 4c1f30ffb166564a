with

source as (

    select * from {{ source('curated', 'articles') }}

),

renamed as (

    select
        {{ entity_id('company', 'outlet_company_code') }} as outlet_company_id,
        trim(article_id) as article_id,
        trim(file_name) as file_name,
        title,
        trim(outlet_company_code) as outlet_company_code,
        cited_source,
        trim(published_on_precision) as published_on_precision,
        trim(published_on_basis) as published_on_basis,
        published_on_reasoning,
        trim(source_url) as source_url,
        source_line,
        published_on
    from source

)

select * from renamed
