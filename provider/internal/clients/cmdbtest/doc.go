// Package cmdbtest runs protocol-faithful ServiceNow and iTop servers on 127.0.0.1 for
// tests: the same paths, authentication, status codes, error bodies, pagination, rate
// limiting and not-found answers as the real products (see ../../../../../shared/
// cmdb-protocols.md), with an in-memory store the test can inspect and edit behind the
// provider's back.
package cmdbtest
