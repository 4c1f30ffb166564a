with

source as (

    select * from {{ source('curated', 'company_brands') }}

),

renamed as (

    select
        {{ surrogate_key([
            'company_code', 'brand_code', 'relation', 'article_id'
        ]) }} as company_brand_id,
        {{ entity_id('company', 'company_code') }} as company_id,
        {{ entity_id('brand', 'brand_code') }} as brand_id,
        trim(article_id) as article_id,
        trim(company_code) as company_code,
        trim(brand_code) as brand_code,
        trim(relation) as relation,
        evidence_quote,
        source_line
    from source

)

select * from renamed
