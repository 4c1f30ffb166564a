with

source as (

    select * from {{ source('curated', 'claims') }}

),

renamed as (

    select
        {{ entity_id('claim', 'claim_code') }} as claim_id,
        {{ entity_id('company', 'subject_company_code') }}
            as subject_company_id,
        {{ entity_id('company', 'object_company_code') }} as object_company_id,
        trim(article_id) as article_id,
        trim(claim_code) as claim_code,
        trim(subject_company_code) as subject_company_code,
        trim(relation) as relation,
        trim(object_company_code) as object_company_code,
        evidence_quote,
        source_line,
        is_affirmed
    from source

)

select * from renamed
