// Package slo is the arithmetic of data SLOs, kept free of I/O so that it
// can be proven with synthetic series: observations of an SLI (good and
// total events per evaluation interval), the error budget left over a
// rolling window, the multi-window burn rates of the SRE workbook
// (chapter 5, "Alerting on SLOs") and the alert they call for.
//
// A burn rate of 1 spends exactly the whole error budget over the SLO's
// window; 14.4 spends 2% of a 30-day budget in one hour. Each alert rule
// pairs a long window, which proves the burn is significant, with a short
// one (1/12 of it), which proves the burn is still going on, so an alert
// stops soon after recovery.
package slo
