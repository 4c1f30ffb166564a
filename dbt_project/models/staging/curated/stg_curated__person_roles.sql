with

source as (

    select * from {{ source('curated', 'person_roles') }}

),

renamed as (

    select
        {{ surrogate_key(['person_code', 'role_title', 'article_id']) }}
            as person_role_id,
        {{ entity_id('person', 'person_code') }} as person_id,
        {{ entity_id('company', 'company_code') }} as company_id,
        trim(article_id) as article_id,
        trim(person_code) as person_code,
        trim(company_code) as company_code,
        role_title,
        evidence_quote,
        source_line
    from source

)

select * from renamed
