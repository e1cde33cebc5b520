//! End-to-end tests of the `chorus` command: each module drives one stage through the binary, as a user
//! would, against the repo's sample corpus and (when present) the real corpora in `../shared/corpora`.

mod support;

mod analyse;
mod browser;
mod clauses;
mod corrections;
mod ingest;
mod qda;
mod report;
mod search;
mod serve;
mod store;
mod themes;
mod train;
