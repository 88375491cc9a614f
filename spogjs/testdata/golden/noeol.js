var web_server_protocol = "http";
var web_server_name = "localhost";