with

source as (

    select * from {{ source('curated', 'company_plants') }}

),

renamed as (

    select
        {{ surrogate_key([
            'company_code', 'plant_code', 'relation', 'article_id'
        ]) }} as company_plant_id,
        {{ entity_id('company', 'company_code') }} as company_id,
        {{ entity_id('plant', 'plant_code') }} as plant_id,
        trim(article_id) as article_id,
        trim(company_code) as company_code,
        trim(plant_code) as plant_code,
        trim(relation) as relation,
        evidence_quote,
        source_line
    from source

)

select * from renamed
