// Command function-xapp serves the xapp composition function over gRPC. It only wires flags to
// function.Serve; everything else lives in package fn, where tests and benchmarks can reach it.
package main

import (
	"flag"
	"fmt"
	"os"

	function "github.com/crossplane/function-sdk-go"

	"github.com/xapp-dev/xapp/fn"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "function-xapp:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("function-xapp", flag.ContinueOnError)
	debug := fs.Bool("debug", false, "Emit debug logs in addition to info logs.")
	network := fs.String("network", "tcp", "Network on which to listen for gRPC connections.")
	address := fs.String("address", ":9443", "Address at which to listen for gRPC connections.")
	certs := fs.String("tls-certs-dir", os.Getenv("TLS_SERVER_CERTS_DIR"),
		"Directory with the server's tls.crt and tls.key and the ca.crt that verifies clients ($TLS_SERVER_CERTS_DIR).")
	insecure := fs.Bool("insecure", false, "Serve without mTLS credentials (for crossplane composition render); --tls-certs-dir is then ignored.")
	maxRecv := fs.Int("max-recv-message-size", 4, "Maximum size of received messages in MiB.")
	metrics := fs.String("metrics-address", ":8080", "Address of the Prometheus metrics endpoint; empty turns metrics off.")
	if err := fs.Parse(args); err != nil {
		return err
	}

	log, err := function.NewLogger(*debug)
	if err != nil {
		return err
	}
	return function.Serve(fn.Served(fn.New(log)),
		function.Listen(*network, *address),
		function.MTLSCertificates(*certs),
		function.Insecure(*insecure),
		function.MaxRecvMessageSize(*maxRecv*1024*1024),
		function.WithMetricsServer(*metrics),
	)
}
