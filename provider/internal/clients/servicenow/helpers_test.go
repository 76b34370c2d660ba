package servicenow_test

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var errorsAs = errors.As

var cmpEmptyMap = cmpopts.EquateEmpty()
