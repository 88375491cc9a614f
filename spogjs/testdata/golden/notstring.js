var web_server_protocol = window.location.protocol.replace(":", "");
var web_server_name = window.location.hostname;
