with

source as (

    select * from {{ source('news', 'build_info') }}

),

renamed as (

    select
        autowatch_version,
        duckdb_version,
        inputs_json,
        article_count,
        quarantined_count,
        built_at
    from source

)

select * from renamed
