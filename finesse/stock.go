package finesse

import _ "embed"

// StockLayout is a default Finesse 12.5 desktop layout (version 1250.03,
// with its comments and a commented-out gadget), in the structure of
// Cisco's LayoutConfig documentation: what the lab's Finesse serves and
// the tests start from.
//
//go:embed stock1250.xml
var StockLayout []byte
