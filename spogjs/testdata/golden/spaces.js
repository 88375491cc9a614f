var  web_server_protocol	=   "http" ;   // keep the quotes
var web_server_name		= "ucsvreceweb";	// host or FQDN
var other = "x";