with

source as (

    select * from {{ source('curated', 'companies') }}

),

renamed as (

    select
        {{ entity_id('company', 'company_code') }} as company_id,
        trim(company_code) as company_code,
        company_name,
        trim(company_kind) as company_kind,
        trim(country_code) as country_code,
        note,
        source_line
    from source

)

select * from renamed
