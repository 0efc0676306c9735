//! API tests: each spawns the real server on port 0 against a fresh PostgreSQL database, with
//! a real SMTP server (aiosmtpd) receiving its mail, and an S3 server (moto) for the tests of
//! files in a bucket. One binary, for one link step.

mod access;
mod accounts;
mod archive;
mod backoffice;
mod beneficiaries;
mod branding;
mod certified;
mod contexts;
mod demarches;
mod dossiers;
mod duplicates;
mod files;
mod helpers;
mod identity;
mod instruction;
mod letters;
mod mail_merge;
mod migrations;
mod nodes;
mod oidc_provider;
mod ops;
mod org;
mod outbox;
mod outbox_crash;
mod people;
mod platform;
mod portal;
mod responses;
mod s3_server;
mod search;
mod second_factor;
mod startup;
mod store;
mod tenancy;
mod usagers;
mod wallet;
