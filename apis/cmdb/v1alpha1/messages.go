package v1alpha1

// How provider-cmdb words, in a managed resource's Synced condition, a backend's answer that will
// not change by retrying: a person has to fix the record's spec, the credentials or the rights.
// function-xapp reads them to tell a developer the app has failed rather than that it waits.
const (
	MessageRefusedRecord       = "refused the record"
	MessageRejectedCredentials = "rejected the credentials"
	MessageDeniedOperation     = "denied the operation"
)

// PermanentFailures are the phrases above, for matching.
var PermanentFailures = []string{MessageRefusedRecord, MessageRejectedCredentials, MessageDeniedOperation}
