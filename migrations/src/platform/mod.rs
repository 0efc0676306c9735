pub mod m0001_tenants;
