-- A contract ends after it starts: effective_to (exclusive) is later than effective_from.
{{ seed_row_problems(ref('contracts'),
    safe_timestamp("nullif(trim(seed_rows.effective_to), '')") ~ ' <= ' ~ safe_timestamp('seed_rows.effective_from'),
    ['effective_to'], 'is not after effective_from: a row ends (exclusive) after it starts') }}
select contracts.contract_key
from {{ ref('stg_seeds__contracts') }} as contracts
where contracts.effective_to <= contracts.effective_from
