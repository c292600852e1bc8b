-- one row per snapshot_date, repo: a tracked repository as GitHub described it that day (see collectors/github_repos.py)
CREATE TABLE raw.github_repos (
    snapshot_date        DATE NOT NULL,
    source               VARCHAR NOT NULL,  -- 'github-rest'
    repo                 VARCHAR NOT NULL,  -- owner/name as tracked
    category             VARCHAR,           -- from the tracked-repos file at collection time
    family               VARCHAR,           -- model family it serves, when obvious
    organization         VARCHAR,           -- who maintains it
    status               VARCHAR NOT NULL,  -- ok | renamed | not_found
    full_name            VARCHAR,           -- owner/name as GitHub answers now (differs when renamed)
    github_id            BIGINT,
    stars                BIGINT,
    forks                BIGINT,
    open_issues          BIGINT,
    watchers             BIGINT,            -- subscribers_count (GitHub's watchers_count mirrors stars)
    license_spdx         VARCHAR,
    language             VARCHAR,
    topics               VARCHAR[],
    description          VARCHAR,
    created_at           TIMESTAMPTZ,
    pushed_at            TIMESTAMPTZ,
    archived             BOOLEAN,
    star_history_api     VARCHAR,           -- rest | graphql | null (history not fetched this run)
    star_history_capped  BOOLEAN,           -- REST stops at 40 000 stars: the series is truncated
    collected_at         TIMESTAMPTZ NOT NULL,
    run_id               VARCHAR NOT NULL
);

-- one row per repo, page, starred_date: stars given that day among one 100-stargazer page of the oldest-first list
CREATE TABLE raw.github_star_history (
    snapshot_date  DATE NOT NULL,       -- day of the run that fetched the page
    source         VARCHAR NOT NULL,    -- 'github-rest' | 'github-graphql'
    repo           VARCHAR NOT NULL,    -- owner/name as tracked
    page           INTEGER NOT NULL,    -- 1-based page of the oldest-first stargazer list
    page_cursor    VARCHAR,             -- GraphQL `after` cursor that fetched this page (null for page 1 and REST)
    next_cursor    VARCHAR,             -- GraphQL endCursor of this page
    page_stars     INTEGER NOT NULL,    -- stargazers on the page (100 unless it is the newest page)
    starred_date   DATE NOT NULL,
    stars_gained   INTEGER NOT NULL,
    collected_at   TIMESTAMPTZ NOT NULL,
    run_id         VARCHAR NOT NULL
);
