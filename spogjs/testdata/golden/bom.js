/*
 * spog_config.js - settings of the Enterprise Chat and Email gadget shown
 * inside Unified CCE Administration (SPOG).
 *
 * Set web_server_protocol and web_server_name to the protocol and the fully
 * qualified name of the ECE web server (or of the load balancer in front of
 * the web servers) that users type to reach ECE.
 */

var web_server_protocol = "http";
var web_server_name = "localhost";
// var web_server_name = "ucsvreceweb.example.com";

var web_server_port = "";
var spog_context_path = "/system/web/view/platform/spog/";
var gadget_refresh_interval = 300000; /* milliseconds */

function getEceBaseUrl() {
	var port = web_server_port ? ":" + web_server_port : "";
	return web_server_protocol + "://" + web_server_name + port;
}
