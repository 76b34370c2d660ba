package servicenow_test

import (
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

var errorsAs = errors.As

var cmpEmptyMap = cmpopts.EquateEmpty()
