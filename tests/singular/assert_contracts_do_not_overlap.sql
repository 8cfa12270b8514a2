-- At most one contract row applies to a call at a time: the most specific (an account of its own over every account,
-- then a pattern over every model). Two rows of one provider at the same specificity (the same account or both for
-- every account; both with a pattern, or both for every model) that cover a common priced model and overlap in time
-- leave the call with two terms: an error naming the rows.
{%- set overlapping_keys %}
    with

    contracts as (
        select * from {{ ref('stg_seeds__contracts') }}
    ),

    {{ priced_model_coverage('contracts', ['contract_key', 'account_id', 'effective_from', 'effective_to']) }}

    select distinct
        coverage.contract_key,
        coverage.covered_model,
        other.contract_key as other_contract_key
    from coverage
    inner join coverage as other
        on coverage.provider = other.provider
        and coverage.covered_model = other.covered_model
        and coverage.contract_key <> other.contract_key
        and coalesce(coverage.account_id, '') = coalesce(other.account_id, '')
        and (coverage.model_pattern is null) = (other.model_pattern is null)
        and (other.effective_to is null or coverage.effective_from < other.effective_to)
        and (coverage.effective_to is null or other.effective_from < coverage.effective_to)
{%- endset %}
{{ seed_row_problems(ref('contracts'),
    text_key([
        'lower(trim(seed_rows.provider))', "nullif(trim(seed_rows.model_pattern), '')",
        "nullif(trim(seed_rows.account_id), '')", 'seed_rows.effective_from',
    ]) ~ ' in (select overlapping.contract_key from (' ~ overlapping_keys ~ ') as overlapping)',
    ['effective_to'],
    'overlaps in time another row of the same provider and account scope that covers a model this row covers (two '
    ~ 'patterns matching one priced model, or two rows for every model): end one where the other starts, or narrow a pattern') }}
{{ overlapping_keys }}
